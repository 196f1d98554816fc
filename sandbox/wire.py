"""A minimal protobuf wire-format writer.

Building a protobuf object per row and serializing it costs ~18 µs a row in Python; writing the
bytes directly (with the per-entity parts cached) is several times cheaper, which matters when a
benchmark streams a million rows. Field numbers and types always come from the real descriptors,
never from literals, so the output is whatever the installed google-ads protos say it is.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

Encoder = Callable[[Any], bytes]

_VARINT, _FIXED64, _LENGTH = 0, 1, 2
_pack_double = struct.Struct("<d").pack


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_SMALL = [_varint(i) for i in range(1 << 14)]  # every length and most counts: one list lookup


def varint(value: int) -> bytes:
    return _SMALL[value] if 0 <= value < 16384 else _varint(value)


def tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def length_delimited(number: int, payload: bytes) -> bytes:
    """A nested message or string field: tag, length, payload."""
    return tag(number, _LENGTH) + varint(len(payload)) + payload


def field_encoder(field: FieldDescriptor) -> Encoder:
    """value -> encoded field (tag included) for a scalar or enum field of a message."""
    number = field.number
    if field.type == FieldDescriptor.TYPE_STRING:
        t = tag(number, _LENGTH)
        return lambda v: (lambda b: t + varint(len(b)) + b)(v.encode())
    if field.type == FieldDescriptor.TYPE_DOUBLE:
        t = tag(number, _FIXED64)
        return lambda v: t + _pack_double(v)
    if field.type in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_UINT64):
        t = tag(number, _VARINT)
        return lambda v: t + varint(v)
    if field.type == FieldDescriptor.TYPE_BOOL:
        t = tag(number, _VARINT)
        return lambda v: t + (b"\x01" if v else b"\x00")
    if field.type == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
        t = tag(number, _VARINT)
        numbers = {value.name: value.number for value in field.enum_type.values}
        return lambda v: t + varint(numbers[v])
    raise TypeError(f"{field.full_name}: type {field.type} is not supported by the sandbox encoder")
