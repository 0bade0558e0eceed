"""irqloop's pyuvm environment: register model, CSR agent, device monitors, scoreboard,
functional coverage and the tests (scenarios and constrained-random) that share them."""
