"""The evidence page: add articles, files, URLs and feeds; read items and manage their links."""
