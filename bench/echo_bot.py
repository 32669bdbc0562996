"""The yardstick under gunicorn: line-bot-sdk's minimal echo bot, configured from the environment."""

from __future__ import annotations

import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent


def create_app() -> Flask:
    """The SDK's echo example, pointed at LINE_API_BASE_URL."""
    app = Flask("echo")
    handler = WebhookHandler(os.environ["LINE_CHANNEL_SECRET"])
    configuration = Configuration(access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"], host=os.environ["LINE_API_BASE_URL"])

    @app.post("/callback")
    def callback():  # type: ignore[no-untyped-def]
        try:
            handler.handle(request.get_data(as_text=True), request.headers["X-Line-Signature"])
        except InvalidSignatureError:
            abort(400)
        return "OK"

    @handler.add(MessageEvent, message=TextMessageContent)
    def echo(event):  # type: ignore[no-untyped-def]
        with ApiClient(configuration) as client:  # as the SDK's example does
            MessagingApi(client).reply_message(ReplyMessageRequest(replyToken=event.reply_token, messages=[TextMessage(text=event.message.text)]))

    return app
