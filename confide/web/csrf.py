"""CSRF protection that works with `Referrer-Policy: no-referrer`.

With that policy browsers send `Origin: null` on every form POST (Fetch standard, "append a
request Origin header"), which Django's origin check refuses. The browser still says where the
request came from in Fetch Metadata: `Sec-Fetch-Site: same-origin` for Confide's own forms,
`cross-site` for a form on another site. So `null` is accepted only with `same-origin`; the CSRF
token is still required on every POST, and cookies are SameSite=Strict.
"""

from django.middleware.csrf import CsrfViewMiddleware


class ConfideCsrfViewMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        return super()._origin_verified(request)
