"""Meta Ads: see sources/__init__.py for what each module holds."""
