"""Finsam-sekreteraren: a chat bot for the boards of Swedish samordningsförbund."""
