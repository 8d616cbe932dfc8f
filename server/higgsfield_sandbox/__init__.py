"""higgsfield-sandbox: an offline stand-in for the higgsfield CLI (see README.md)."""
