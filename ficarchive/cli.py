"""The `ficarchive` command: Django's management commands under the archive's own name.

`ficarchive serve`, `ficarchive migrate`, `ficarchive createsuperuser` … all go through here;
`ficarchive help` lists them and `ficarchive help COMMAND` documents one.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    from django.core.management import execute_from_command_line

    from ficarchive.config import ConfigError
    from ficarchive.storage import DataFolderError

    args = sys.argv if argv is None else ["ficarchive", *argv]
    try:
        execute_from_command_line(args)
    except DataFolderError as error:
        # Its message says which folder and what to do: "cannot write to …".
        sys.stderr.write(f"ficarchive: {error}\n")
        raise SystemExit(2) from None
    except ConfigError as error:
        sys.stderr.write(f"ficarchive: configuration error: {error}\n")
        raise SystemExit(2) from None
    except BrokenPipeError:
        # The reader went away (`ficarchive check … | head`): stop quietly, as `cat` does. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(141) from None


if __name__ == "__main__":
    main()
