"""Partner agencies, their named staff, and the information-sharing agreements made with them."""
