"""The facebook-business SDK's API object, plus one way to GET a page without the SDK parsing it.

`FacebookAdsApi.call` decides success by `FacebookResponse.is_failure()`, which runs `json.loads` over the
whole body; an insights page of 500 rows is then parsed twice, once by the SDK and once by msgspec
(`sources.meta_decode`). In the Meta whole path that second parse cost about as much as msgspec's decode
and the row mapping together (bench/RESULTS.md, "Issue 15 Meta rows"). `get_decoded` sends the same GET
through the SDK's own session (its token, appsecret_proof, headers, timeout and the SDK's parameter
encoding) and lets the caller's decoder read the body; anything that does not decode as a page goes to
the SDK's own check, so errors are the SDK's `FacebookRequestError`s exactly as `call` raises them.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from facebook_business.api import FacebookAdsApi, FacebookResponse

from ads_sync.errors import GraphResponseError


class Decoded:
    """A 200 answer already decoded: its headers (the usage checks read them) and the decoded page."""

    def __init__(self, headers: Mapping[str, str], value: Any) -> None:
        self._headers, self.value = headers, value

    def headers(self) -> Mapping[str, str]:
        return self._headers

    def status(self) -> int:
        return 200


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The SDK's top-level parameter encoding (`facebook_business.api._top_level_param_json_encode`):
    mappings, sequences and booleans as compact JSON with sorted keys, strings and numbers as they are."""
    return {
        k: json.dumps(v, sort_keys=True, separators=(",", ":"))
        if isinstance(v, Mapping | Sequence | bool) and not isinstance(v, str) else v
        for k, v in params.items()
    }


class GraphApi(FacebookAdsApi):  # type: ignore[misc]
    def get_decoded(self, path: tuple[str, ...], params: Mapping[str, Any], decode: Callable[[str], Any]) -> Any:
        """GET `path` like `call` does and return `Decoded(headers, decode(body))`; `decode` raises
        ValueError for a body that is not its page. Errors: the SDK's (`call`'s rule), else
        GraphResponseError for an answer that is no page. Counted in `get_num_requests_attempted`."""
        self._num_requests_attempted += 1
        url = "/".join((self._session.GRAPH, self._api_version, "/".join(map(str, path))))
        response = self._session.requests.request(
            "GET", url, params=encode_params(params), headers=dict(FacebookAdsApi.HTTP_DEFAULT_HEADERS),
            timeout=self._session.timeout,
        )
        body = response.text
        if response.status_code == 200:
            try:
                value = decode(body)
            except ValueError:
                pass
            else:
                self._num_requests_succeeded += 1
                return Decoded(response.headers, value)
        answer = FacebookResponse(body=body, headers=response.headers, http_status=response.status_code,
                                  call={"method": "GET", "path": url, "params": dict(params), "headers": {},
                                        "files": {}})
        if answer.is_failure():
            raise answer.error()
        raise GraphResponseError(response.status_code, body)  # a success by the SDK's rule, but no page
