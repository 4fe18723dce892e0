"""Call legs and operator states, as stored by the engine."""
