"""Play the browser of a Microsoft sign-in against the local stack.

Usage: sign_in.py SIMULATOR_URL USER_ID SIGN_IN_URL

Tells the Microsoft simulator that USER_ID signs in and consents at the next sign-in page,
then follows redirects from SIGN_IN_URL (the simulator's authorize page, then the
auth-callback function behind `cargo lambda watch`) until one leads off 127.0.0.1 (the
application's callback URL with the `handle` for auth-complete, or its failure URL with `f=`),
and prints that final URL. Completing the sign-in is the application's part: see infra/demo.sh.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

MAX_REDIRECTS = 10
LOCAL_HOST = "127.0.0.1"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def queue_sign_in(simulator_url: str, user_id: str) -> None:
    body = json.dumps({"userId": user_id, "outcome": "approve"}).encode()
    request = urllib.request.Request(
        f"{simulator_url}/_control/sign-in", data=body, headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).close()


def follow(url: str) -> str:
    opener = urllib.request.build_opener(NoRedirects)
    for _ in range(MAX_REDIRECTS):
        if urllib.parse.urlsplit(url).hostname != LOCAL_HOST:
            return url
        try:
            response = opener.open(url, timeout=60)
            sys.exit(f"{url} answered {response.status} instead of redirecting: {response.read()[:500]!r}")
        except urllib.error.HTTPError as answer:
            location = answer.headers.get("Location")
            if answer.code not in (301, 302, 303, 307, 308) or not location:
                sys.exit(f"{url} answered {answer.code}: {answer.read()[:500]!r}")
            url = urllib.parse.urljoin(url, location)
    sys.exit(f"more than {MAX_REDIRECTS} redirects from {sys.argv[3]}")


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: sign_in.py SIMULATOR_URL USER_ID SIGN_IN_URL")
    simulator_url, user_id, sign_in_url = sys.argv[1:]
    queue_sign_in(simulator_url, user_id)
    print(follow(sign_in_url))


if __name__ == "__main__":
    main()
