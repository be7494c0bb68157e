"""Moderation: each town's policy, automated checks, decisions (automated and human), reports and the queue."""
