"""Transports turn platform events into IncomingMessage and deliver Replies."""
