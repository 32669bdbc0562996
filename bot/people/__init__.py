"""People and access: roles, menus, the access policy."""
