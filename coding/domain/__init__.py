"""Pure coding engine (no Django): encounter -> CPT/HCPCS charge lines. See engine.code_encounter."""
