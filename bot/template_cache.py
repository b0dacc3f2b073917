"""Compiled templates kept between runs, so a restarted bot's first reply or protokoll
does not compile its templates again (issue 19: the first !protokoll after start spent
about as long compiling its nine templates as importing the PDF and Word libraries).

jinja2's FileSystemBytecodeCache keeps them in a directory of the user's own (mode 0700,
checked to be the user's), keyed by the template's path and its source: an edited
template is compiled anew. Each kind of environment has its own files, since the same
template compiles differently with autoescaping. A cache that cannot be written only
costs the compile: a reply never fails for it."""

from __future__ import annotations

import logging

from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache

log = logging.getLogger(__name__)


class _Forgiving(FileSystemBytecodeCache):
    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()  # unreadable: compiled again, and written anew

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("compiled template not kept: %s", error)


def compiled_templates(kind: str, directory: str | None = None) -> BytecodeCache | None:
    """The cache of one kind of environment; `directory` None is jinja2's private one."""
    try:
        return _Forgiving(directory, pattern=f"finsam-bot-{kind}-%s.cache")
    except (OSError, RuntimeError) as error:  # no private directory to be had
        log.info("templates are compiled anew at each start: %s", error)
        return None
