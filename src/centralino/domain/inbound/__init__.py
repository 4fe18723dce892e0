"""Inbound rules (IN-1 to IN-4, IN-7): services, IVR menus, queues and tiers, routing, pauses."""
