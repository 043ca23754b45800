"""The exercise library and programs arrive with the programs issue."""
