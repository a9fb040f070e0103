"""End-to-end browser tests: the real app in a subprocess, driven by Chromium through Playwright."""
