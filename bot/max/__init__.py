"""MAX, the second messenger: its updates become the aiogram updates the handlers already serve.

The handlers, the views and the core are the Telegram bot's own. This package only translates:
``updates`` turns a MAX event into an aiogram ``Update`` (a deep link's ``bot_started`` into
``/start <code>``, a contact checked by its hash, a reply by its ``mid``); ``session`` carries out
the Bot API calls the handlers make (send, edit, answer, files, commands) as MAX API requests
through ``maxapi``, rendering keyboards for MAX (``render``); ``serve`` runs long polling or the
webhook. Accounts of MAX users carry ``Messenger.MAX`` and their MAX user id.
"""
