#!/usr/bin/env python3
"""Stands in for the system browser in the end-to-end tests (the app honours BROWSER).

Follows the Sonos login URL as a browser would — the simulator consents by itself and
redirects to the relay — reads the relay's hand-off page, and delivers its roomtone:// link
the way the OS does: by launching the app binary a second time with the URL as its only
argument (the single-instance plugin hands it to the running app over D-Bus).
"""
import html
import os
import re
import subprocess
import sys
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    url = sys.argv[1]
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url)
        sys.exit("the login service did not redirect")
    except urllib.error.HTTPError as redirect:
        relay_page = redirect.headers["location"]
    page = urllib.request.urlopen(relay_page).read().decode()
    link = html.unescape(re.search(r'href="(roomtone://[^"]+)"', page).group(1))
    # What was delivered, without its query: no code goes to a file.
    with open(os.environ["ROOMTONE_E2E_OUT"] + "/deep-link.txt", "w") as out:
        out.write(link.split("?", 1)[0])
    subprocess.run([os.environ["ROOMTONE_E2E_APP"], link], check=True, timeout=60)


if __name__ == "__main__":
    main()
