"""The FSM storage of a single bot process: aiogram's MemoryStorage without its leak.

aiogram's ``MemoryStorage`` is a ``defaultdict``: reading a user's state (which its FSM
middleware does on every update) creates a record that is never removed, so a bot that has met
100,000 users holds 100,000 empty records (bench/memory.py measured the growth). Here a read
creates nothing and a record that is back to "no state, no data" is dropped, so memory follows
the conversations under way, not every user ever seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage, MemoryStorageRecord


class LeanMemoryStorage(MemoryStorage):
    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        record = self.storage.get(key)
        if record is None:
            if value is None:
                return
            record = self.storage[key] = MemoryStorageRecord()
        record.state = value
        self._drop_if_empty(key, record)

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.storage.get(key)
        return None if record is None else record.state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await super().set_data(key, data)  # validates, copies (and creates the record)
        self._drop_if_empty(key, self.storage[key])

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.storage.get(key)
        return {} if record is None else record.data.copy()

    async def get_value(
        self, storage_key: StorageKey, dict_key: str, default: Any | None = None
    ) -> Any | None:
        record = self.storage.get(storage_key)
        return copy(default if record is None else record.data.get(dict_key, default))

    def _drop_if_empty(self, key: StorageKey, record: MemoryStorageRecord) -> None:
        if record.state is None and not record.data:
            self.storage.pop(key, None)
