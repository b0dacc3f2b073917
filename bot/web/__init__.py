"""The förbund's public anslagstavla on the web (8 kap. 9 § kommunallagen): settings, the
notices of one day, the pages and feeds, and the aiohttp server that `bot run` starts."""
