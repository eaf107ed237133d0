"""The fake model providers: `server.FakeProviderServer` (all four protocols on their real paths),
`script.Step` / `script.Call` (scripted turns), one `*_wire.py` per protocol (frames, errors, validation), and
`settings` (the app's settings with every provider pointed at a fake server).
"""
