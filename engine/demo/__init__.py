"""The demo: a simulated dev backend's workload, its server, and the directory it may write to."""
