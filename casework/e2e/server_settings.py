"""Settings for the app server the browser tests drive: the real settings with DEBUG off.

DEBUG must be off in the server so that Django renders the app's own 404 page ("Not found")
instead of its technical debug page, which is what a user would see. The environment still
sets CASEWORK_DEBUG=1 so the development defaults (secret key, cookies over plain http, demo
logins) stay as in `make run`; only the DEBUG flag itself is switched off afterwards. Static
files are served by WhiteNoise through the finders (WHITENOISE_USE_FINDERS), so htmx and the
stylesheet load exactly as in development. Passwords use a cheaper Argon2 (see hashers.py).
"""

from casework.config.settings import *  # noqa: F403
from casework.e2e.hashers import PASSWORD_HASHERS as E2E_PASSWORD_HASHERS

DEBUG = False
PASSWORD_HASHERS = E2E_PASSWORD_HASHERS
