"""Flows written once: each takes a small protocol a connector implements.

Channel flows: `catalogue` (import and link listings), `orders` (get orders: page, write,
route) and `shipments` (push shipments once, complete what is done). Source flows:
`inventory`, `supplier_orders` and `supplier_tracking`. A connector supplies only what
talks to its API; the store work is `store.commands`.
"""
