"""Search: the query language readers type, and the index that answers it."""
