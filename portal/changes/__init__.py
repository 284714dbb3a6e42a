"""Change notices (Art. 28(2)) and the objections schools lodge against them."""
