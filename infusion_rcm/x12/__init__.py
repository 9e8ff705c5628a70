"""The one X12 layer under every transaction we exchange (270/271, 837, 835, 999, 277CA).

Pure: `errors`, `reader` (envelope reader), `writer` (segments and the envelope writer).
Django: `models` and `control_numbers` (the control-number service and the register of every
interchange we send, which acknowledgments are matched against). See docs/architecture.md.
"""
