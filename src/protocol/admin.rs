//! Wire types of the admin API that are more than a row count: an order as the shop's backend
//! reads it back (`GET /v1/admin/orders/{id}`, and in a customer's export).

use serde::Serialize;

use crate::orders::{Order, OrderLine, format_time};

/// An order as the shop's backend reads it back.
#[derive(Debug, Serialize)]
pub struct AdminOrder {
    pub order_id: String,
    customer_id: Option<String>,
    email: String,
    status: &'static str,
    placed_at: String,
    currency: String,
    total: f64,
    shipping_address: Option<String>,
    carrier: Option<String>,
    tracking: Option<String>,
    estimated_delivery: Option<String>,
    lines: Vec<OrderLine>,
    timeline: Vec<AdminEvent>,
    returns: Vec<AdminReturn>,
    refunds: Vec<AdminRefund>,
}

#[derive(Debug, Serialize)]
struct AdminEvent {
    event_id: String,
    status: &'static str,
    at: String,
}

#[derive(Debug, Serialize)]
struct AdminReturn {
    reference: String,
    status: &'static str,
    lines: Vec<OrderLine>,
    created_at: String,
}

#[derive(Debug, Serialize)]
struct AdminRefund {
    return_reference: Option<String>,
    amount: f64,
    currency: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
}

impl From<Order> for AdminOrder {
    fn from(o: Order) -> AdminOrder {
        AdminOrder {
            total: (o.total() * 100.0).round() / 100.0,
            order_id: o.id,
            customer_id: o.customer_id,
            email: o.email,
            status: o.status.as_str(),
            placed_at: format_time(o.placed_at),
            currency: o.currency,
            shipping_address: o.shipping_address,
            carrier: o.carrier,
            tracking: o.tracking,
            estimated_delivery: o.estimated_delivery.map(format_time),
            lines: o.lines,
            timeline: o.events.into_iter().map(|e| AdminEvent { event_id: e.id, status: e.status.as_str(), at: format_time(e.at) }).collect(),
            returns: o
                .returns
                .into_iter()
                .map(|r| AdminReturn { reference: r.reference, status: r.status.as_str(), lines: r.lines, created_at: format_time(r.created_at) })
                .collect(),
            refunds: o
                .refunds
                .into_iter()
                .map(|r| AdminRefund {
                    return_reference: r.return_reference,
                    amount: r.amount,
                    currency: r.currency,
                    status: r.status.as_str(),
                    created_at: format_time(r.created_at),
                    updated_at: format_time(r.updated_at),
                })
                .collect(),
        }
    }
}

