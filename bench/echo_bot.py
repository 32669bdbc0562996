"""The yardstick under gunicorn: line-bot-sdk's minimal echo bot, configured from the environment."""

from __future__ import annotations

import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent


def create_app() -> Flask:
    """The SDK's echo example, pointed at LINE_API_BASE_URL (one API client per reply, as the example does)."""
    return echo_app(os.environ["LINE_CHANNEL_SECRET"], os.environ["LINE_CHANNEL_ACCESS_TOKEN"], os.environ["LINE_API_BASE_URL"])


def echo_app(secret: str, token: str, line_url: str, client_per_reply: bool = True) -> Flask:
    """line-bot-sdk's minimal echo bot; `client_per_reply=False` shares one API client (the in-process benchmark)."""
    app = Flask("echo")
    handler = WebhookHandler(secret)
    configuration = Configuration(access_token=token, host=line_url)
    shared = None if client_per_reply else MessagingApi(ApiClient(configuration))

    @app.post("/callback")
    def callback():  # type: ignore[no-untyped-def]
        try:
            handler.handle(request.get_data(as_text=True), request.headers["X-Line-Signature"])
        except InvalidSignatureError:
            abort(400)
        return "OK"

    @handler.add(MessageEvent, message=TextMessageContent)
    def echo(event):  # type: ignore[no-untyped-def]
        reply = ReplyMessageRequest(replyToken=event.reply_token, messages=[TextMessage(text=event.message.text)])
        if shared is not None:
            shared.reply_message(reply)
            return
        with ApiClient(configuration) as client:  # as the SDK's example does
            MessagingApi(client).reply_message(reply)

    return app
