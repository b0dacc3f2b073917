"""The sammanträde as it is held: `meeting.py` (!möte, !närvaro, !justerare, !sekreterare,
!ordförande), `commands.py` (!ersättare, !jäv, !instämmer, !proposition, !reservation,
!anteckning), `votering.py` (!votering, !röst), `andra.py` (!ändra of the procedure),
`common.py` (what they share) and `procedure.py` (the rules: beslutande, beslutsförhet,
jäv). Queries in storage/sammantrade.py."""
