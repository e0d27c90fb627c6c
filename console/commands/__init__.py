"""One module per `dropdeck` subcommand; each exposes `register(subparsers)`."""
