"""The Google Ads API emulator: GoogleAdsService.SearchStream, CustomerService.ListAccessibleCustomers
(what a connection test calls) and GoogleAdsFieldService.SearchGoogleAdsFields (field metadata, which
custom GAQL reports are validated with) over TLS gRPC.

No generated stubs: a generic handler with the google-ads protos' own (de)serializers, so the
real client library talks to it unchanged (only its endpoint and trusted root differ).
Like the real service it checks the developer-token and the bearer token (which must come from
this sandbox's OAuth endpoint), streams results in messages of up to 10,000 rows with field_mask
and request_id set, and reports errors as described in google_ads_errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from concurrent import futures
from itertools import islice

import grpc
from google.ads.googleads.v26.services.types import customer_service, google_ads_service
from google.protobuf import field_mask_pb2

from . import google_ads_bad_rows as bad_rows
from . import google_ads_fields as fields_service
from . import google_ads_hierarchy as hierarchy
from .faults import Fault
from .gaql import GaqlError, parse
from .google_ads_errors import (
    FAULTS,
    VERSION,
    AdsError,
    authentication_error,
    new_request_id,
    query_error,
    request_error,
)
from .google_ads_query import plan
from .state import SandboxState
from .wire import length_delimited, tag, varint

log = logging.getLogger(__name__)

SERVICE = f"google.ads.googleads.{VERSION}.services.GoogleAdsService"
CUSTOMER_SERVICE = f"google.ads.googleads.{VERSION}.services.CustomerService"
FIELD_SERVICE = f"google.ads.googleads.{VERSION}.services.GoogleAdsFieldService"
ROWS_PER_MESSAGE = 10_000

_Request = google_ads_service.SearchGoogleAdsStreamRequest.pb()
_Response = google_ads_service.SearchGoogleAdsStreamResponse.pb()
_RESPONSE_FIELDS = _Response.DESCRIPTOR.fields_by_name
_RESULTS_TAG = tag(_RESPONSE_FIELDS["results"].number, 2)
_AccessibleRequest = customer_service.ListAccessibleCustomersRequest.pb()
_AccessibleResponse = customer_service.ListAccessibleCustomersResponse.pb()


class _Abort(Exception):
    def __init__(self, error: AdsError) -> None:
        super().__init__(error.status_message)
        self.error = error


def _response_tail(fields: tuple[str, ...], request_id: str) -> bytes:
    """field_mask and request_id: the same on every message of one stream."""
    mask = field_mask_pb2.FieldMask(paths=list(fields)).SerializeToString()
    return length_delimited(_RESPONSE_FIELDS["field_mask"].number, mask) + length_delimited(
        _RESPONSE_FIELDS["request_id"].number, request_id.encode()
    )


def _messages(rows: Iterator[bytes], tail: bytes) -> Iterator[tuple[bytes, int]]:
    """Encoded SearchGoogleAdsStreamResponse messages and their row counts; at least one."""
    sent_any = False
    while True:
        chunk = list(islice(rows, ROWS_PER_MESSAGE))
        if not chunk and sent_any:
            return
        sent_any = True
        parts: list[bytes] = []
        for row in chunk:
            parts += (_RESULTS_TAG, varint(len(row)), row)
        yield b"".join(parts) + tail, len(chunk)
        if len(chunk) < ROWS_PER_MESSAGE:
            return


class GoogleAdsService:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def _authenticate(self, metadata: dict[str, str]) -> None:
        if not metadata.get("developer-token"):
            raise _Abort(
                request_error("DEVELOPER_TOKEN_PARAMETER_MISSING", "developer-token parameter is missing.")
            )
        header = metadata.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise _Abort(
                authentication_error("OAUTH_TOKEN_HEADER_INVALID", "Oauth token HTTP header is malformed.")
            )
        verdict = self.state.tokens.check(header[7:].strip())
        if verdict == "expired":
            raise _Abort(
                authentication_error("OAUTH_TOKEN_EXPIRED", "Oauth token in the header has expired.")
            )
        if verdict != "valid":
            raise _Abort(
                authentication_error("OAUTH_TOKEN_INVALID", "Oauth token in the header is not valid.")
            )

    def search_stream(self, request: object, context: grpc.ServicerContext) -> Iterator[bytes]:
        state = self.state
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        customer_id: str = request.customer_id  # type: ignore[attr-defined]
        query_text: str = request.query  # type: ignore[attr-defined]
        request_id = new_request_id()
        context.send_initial_metadata((("request-id", request_id),))
        entry = state.requests.record(
            "google_ads",
            "SearchStream",
            customer_id=customer_id,
            query=query_text,
            request_id=request_id,
            login_customer_id=metadata.get("login-customer-id"),
            linked_customer_id=metadata.get("linked-customer-id"),
        )
        sent = 0
        try:
            try:
                resource: str | None = parse(query_text).resource
            except GaqlError:
                resource = None
            state.requests.update(entry, resource=resource)
            self._authenticate(metadata)
            fault = state.faults.check("google_ads", customer_id, resource)
            fail_after = self._apply(fault)
            if not re.fullmatch(r"\d{10}", customer_id):
                raise _Abort(request_error("INVALID_CUSTOMER_ID", f"Invalid customer ID '{customer_id}'."))
            as_of = state.today()
            try:
                # the account hierarchy (discovery) has a planner of its own
                query_plan = hierarchy.plan(query_text) if resource == "customer_client" else plan(query_text, as_of)
            except GaqlError as exc:
                raise _Abort(query_error(exc.code, exc.message)) from None
            rows = query_plan.rows(customer_id, state.volume, as_of, state.now())
            if fault is not None and fault.error in bad_rows.KINDS:
                rows = bad_rows.corrupt(rows, fault.error)
            if fail_after is not None:
                rows = islice(rows, fail_after[1])
            for message, count in _messages(rows, _response_tail(query_plan.fields, request_id)):
                if not context.is_active():
                    state.requests.update(entry, status="CANCELLED", rows=sent)
                    return
                yield message
                sent += count
            if fail_after is not None:
                raise _Abort(fail_after[0])
        except _Abort as exc:
            state.requests.update(entry, status=exc.error.status.name, error=exc.error.code, rows=sent)
            context.set_trailing_metadata(exc.error.trailing_metadata(request_id))
            context.abort(exc.error.status, exc.error.status_message)
        state.requests.update(entry, status="OK", rows=sent)
        context.set_trailing_metadata((("request-id", request_id),))

    def list_accessible_customers(self, request: object, context: grpc.ServicerContext) -> bytes:
        """The customers the OAuth user reaches directly; checks the same credentials as SearchStream, and
        a google_ads fault without a customer id fires here too (customer_id is absent, as on the wire)."""
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        request_id = new_request_id()
        context.send_initial_metadata((("request-id", request_id),))
        entry = self.state.requests.record("google_ads", "ListAccessibleCustomers", request_id=request_id)
        try:
            self._authenticate(metadata)
            self._apply(self.state.faults.check("google_ads", None, None))
        except _Abort as exc:
            self.state.requests.update(entry, status=exc.error.status.name, error=exc.error.code)
            context.set_trailing_metadata(exc.error.trailing_metadata(request_id))
            context.abort(exc.error.status, exc.error.status_message)
        self.state.requests.update(entry, status="OK")
        context.set_trailing_metadata((("request-id", request_id),))
        names = [f"customers/{cid}" for cid in hierarchy.DIRECTLY_ACCESSIBLE]
        return _AccessibleResponse(resource_names=names).SerializeToString()

    def search_google_ads_fields(self, request: object, context: grpc.ServicerContext) -> bytes:
        """Field metadata for a GAQL-without-FROM query; the same credentials as SearchStream, and google_ads
        faults for resource "google_ads_field" (or for no resource) fire here."""
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        query_text: str = request.query  # type: ignore[attr-defined]
        request_id = new_request_id()
        context.send_initial_metadata((("request-id", request_id),))
        entry = self.state.requests.record("google_ads", "SearchGoogleAdsFields", query=query_text,
                                           request_id=request_id, resource="google_ads_field")
        try:
            self._authenticate(metadata)
            self._apply(self.state.faults.check("google_ads", None, "google_ads_field"))
            try:
                answer = fields_service.search(query_text, request.page_size,  # type: ignore[attr-defined]
                                               request.page_token)  # type: ignore[attr-defined]
            except GaqlError as exc:
                raise _Abort(query_error(exc.code, exc.message)) from None
        except _Abort as exc:
            self.state.requests.update(entry, status=exc.error.status.name, error=exc.error.code)
            context.set_trailing_metadata(exc.error.trailing_metadata(request_id))
            context.abort(exc.error.status, exc.error.status_message)
        self.state.requests.update(entry, status="OK")
        context.set_trailing_metadata((("request-id", request_id),))
        return answer

    def _apply(self, fault: Fault | None) -> tuple[AdsError, int] | None:
        """Sleep and/or fail now for a fired fault; (error, rows to send first) for a broken stream."""
        if fault is None:
            return None
        self.state.sleep(fault.delay_s)
        if fault.error == "SLOW" or fault.error in bad_rows.KINDS:
            return None
        if fault.after_rows:
            return FAULTS[fault.error], fault.after_rows
        raise _Abort(FAULTS[fault.error])


class GoogleAdsServer:
    """The gRPC server (TLS) hosting the emulated services."""

    def __init__(self, state: SandboxState, *, host: str, port: int, cert_pem: bytes, key_pem: bytes) -> None:
        service = GoogleAdsService(state)
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "SearchStream": grpc.unary_stream_rpc_method_handler(
                    service.search_stream,
                    request_deserializer=_Request.FromString,
                    response_serializer=lambda encoded: encoded,  # rows are encoded by google_ads_query
                )
            },
        )
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="sandbox-grpc")
        )
        customers = grpc.method_handlers_generic_handler(
            CUSTOMER_SERVICE,
            {
                "ListAccessibleCustomers": grpc.unary_unary_rpc_method_handler(
                    service.list_accessible_customers,
                    request_deserializer=_AccessibleRequest.FromString,
                    response_serializer=lambda encoded: encoded,
                )
            },
        )
        field_metadata = grpc.method_handlers_generic_handler(
            FIELD_SERVICE,
            {
                "SearchGoogleAdsFields": grpc.unary_unary_rpc_method_handler(
                    service.search_google_ads_fields,
                    request_deserializer=fields_service.Request.FromString,
                    response_serializer=lambda encoded: encoded,
                )
            },
        )
        self._server.add_generic_rpc_handlers((handler, customers, field_metadata))
        credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)])
        self.port = self._server.add_secure_port(f"{host}:{port}", credentials)
        if not self.port:
            raise OSError(f"cannot bind the gRPC port {host}:{port}")

    def start(self) -> None:
        self._server.start()

    def stop(self, grace: float = 1.0) -> None:
        self._server.stop(grace).wait()
