"""Inbound services: numbers, opening hours, IVR menus, screen pop."""
