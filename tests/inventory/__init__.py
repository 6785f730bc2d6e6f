"""Tests of models/inventory/: stock change detection, push, gaps and holds."""
