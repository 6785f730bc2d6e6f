"""Tests of models/setup/: the guided setup and its browser tour."""
