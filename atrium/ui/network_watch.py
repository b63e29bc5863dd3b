"""Sync as soon as the network comes back, using the OS's reachability information where Qt has it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger("atrium.ui")


def watch_network(on_back: Callable[[], None]) -> QNetworkInformation | None:
    """Call ON_BACK whenever the machine goes from offline to online; None when the OS tells Qt nothing
    (the engine's backoff retries then find the network on their own)."""
    if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
        log.info("no network reachability backend; relying on retries")
        return None
    info = QNetworkInformation.instance()
    if info is None:
        return None
    online = QNetworkInformation.Reachability.Online

    def changed(reachability: QNetworkInformation.Reachability) -> None:
        if reachability == online:
            on_back()

    info.reachabilityChanged.connect(changed)
    return info
