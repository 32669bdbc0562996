"""What the bot says and reads, independent of LINE: replies, buttons, postback data, typed text."""
