"""The app shell around every page: the login gate and its cookie, who is acting, links between
pages and the sidebar."""
