"""Category One and Two as a path of Magento categories under the store's root category,
for publish and sync alike.

The root is the `root_category_id` of the store group the store code's view belongs to
(`GET /V1/store/storeViews` and `/V1/store/storeGroups`, once per run); each level is looked
up by name in the category list (one request per run) and created when missing
(`POST /V1/categories`, once).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import mapping
from .client import MagentoClient, NoRoute


class CategoryPaths:
    """Category names -> Magento category ids, created when missing; cached for the run."""

    def __init__(self, client: MagentoClient, store_code: str) -> None:
        self.client = client
        self.store_code = store_code
        self.tree: dict[tuple[int, str], int] | None = None  # (parent id, name) -> id
        self.root: int | None = None

    async def root_category(self) -> int:
        """The root category of the store the store code writes to ("Default Category",
        2, on a stock install): two requests, once."""
        if self.root is None:
            code = self.store_code
            views = await self.client.store_views()
            found = mapping.root_category_id(views, await self.client.store_groups(), code)
            if found is None:
                known = ", ".join(sorted(str(v.get("code")) for v in views if v.get("id")))
                raise NoRoute(
                    f"Magento has no store view {code!r} with a root category (store views: "
                    f"{known or 'none'}): check the store code setting (all, default or a "
                    "store view's code)"
                )
            self.root = found
        return self.root

    async def ids(self, names: Sequence[str | None]) -> list[int]:
        """The path of `names` (top first, up to the first empty one) under the root: the
        ids of every level. No names: no request."""
        if not any(name and name.strip() for name in names):
            return []
        if self.tree is None:
            self.tree = {
                (int(c.get("parent_id") or 0), str(c.get("name") or "").casefold()): int(c["id"])
                for c in await self.client.categories()
            }
        ids: list[int] = []
        parent = await self.root_category()
        for name in names:
            if not name or not name.strip():
                break
            key = (parent, name.strip().casefold())
            if key not in self.tree:
                made = await self.client.create_category(name.strip(), parent)
                self.tree[key] = int(made["id"])
            parent = self.tree[key]
            ids.append(parent)
        return ids
