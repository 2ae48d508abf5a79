-- The hand-written admin sign-in limiter is gone: better-auth limits sign-in attempts (rate_limits).
DROP TABLE "admin_login_attempts";
