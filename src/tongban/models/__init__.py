"""The domain of 全市通办, free of Qt: geography, the catalog, the rules and the local store."""
