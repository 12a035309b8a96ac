"""The WeChat Official Account (服务号) channel: the server address WeChat posts to, replies and
status pushes through wechatpy, and the access_token all workers share."""
