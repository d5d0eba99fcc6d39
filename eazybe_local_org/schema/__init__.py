"""The org's schema: which objects and fields exist, as describe reports them."""
