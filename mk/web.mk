# ce-isp serve (the abuse desk's page): tested in Debian's chromium, headless, driven by playwright-core
# from tests/web (npm ci there by tools/deps.sh); the xunit BrowserTests run it. A CJK font so the page's
# Japanese renders in the screenshots (docs/desk-*.png); desk users' own browsers bring their own fonts.
DEPS_APT += chromium fonts-ipafont-gothic
