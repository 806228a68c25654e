"""The citizen-facing case pages (no account), under /<lang>/requests/: the request form, the
status page by reference + email or signed link, and the one-click unsubscribe."""
