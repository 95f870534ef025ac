"""Response oracles by area. Each check records its verdict against the requirement it serves."""
