"""Fake model providers for tests: `server.FakeProviderServer` (all four protocols on their real paths),
`script.Step` / `script.Call` (scripted turns) and one `*_wire.py` per protocol (frames, errors, validation).
"""
