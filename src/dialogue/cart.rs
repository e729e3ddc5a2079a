//! The cart: add (quantity, referenced products), remove, view, and checkout with the shop's
//! checkout link. Prices and stock come from the catalog at the time of the turn.

use crate::catalog::Product;
use crate::protocol::{Cart, CartItem};
use crate::session::state::SessionState;

use super::DialogueError;
use super::assistant::Assistant;
use super::compose::{Draft, money, spoken_title};
use super::policy::Target;
use super::responses::Template;

impl Assistant {
    pub(super) fn add_to_cart(&self, state: &mut SessionState, target: Target, quantity: u32) -> Result<Draft, DialogueError> {
        let products = match &target {
            Target::Ids(ids) => self.products(ids)?,
            _ => self.one_product(state, &target)?.into_iter().collect(),
        };
        if products.is_empty() {
            return self.ask_which(state, "add_to_cart", "add it to my cart");
        }
        let mut added = Vec::new();
        for product in &products {
            let title = spoken_title(product);
            if !product.in_stock() {
                return Ok(self.say(state, Template::AnswerOutOfStock, &[("title", &title)]));
            }
            if !state.add_to_cart(&product.id, quantity) {
                return Ok(self.say(state, Template::CartFull, &[]));
            }
            added.push(title);
        }
        state.focus = products.last().map(|p| p.id.clone());
        let cart = self.cart(state)?;
        let total = money(cart.total, &cart.currency);
        let mut draft = self.say(
            state,
            Template::CartAdded,
            &[("quantity", &quantity.to_string()), ("title", &super::compose::join_words(&added)), ("total", &total)],
        );
        draft.cart = Some(cart);
        Ok(draft.with_quick_replies(&[("Check out", "checkout"), ("Keep shopping", "show me more")]))
    }

    pub(super) fn remove_from_cart(&self, state: &mut SessionState, target: Target, words: &str, quantity: Option<u32>) -> Result<Draft, DialogueError> {
        if state.cart.is_empty() {
            return Ok(self.say(state, Template::CartEmpty, &[]));
        }
        let (in_cart, mut ids) = self.cart_lines(state, &target, words)?;
        if ids.is_empty() && state.cart.len() == 1 {
            ids.push(state.cart[0].product_id.clone());
        }
        if ids.is_empty() {
            return Ok(if matches!(target, Target::Ids(_)) || !words.is_empty() {
                let title = match &target {
                    Target::Ids(ids) => self.products(ids)?.first().map(spoken_title).unwrap_or_else(|| words.to_string()),
                    _ => words.to_string(),
                };
                self.say(state, Template::CartNotInCart, &[("title", &title)])
            } else {
                self.say(state, Template::CartWhich, &[])
            });
        }
        let mut last = (String::new(), 0);
        for id in &ids {
            let left = state.remove_from_cart(id, quantity).unwrap_or(0);
            let title = in_cart.iter().find(|p| &p.id == id).map(spoken_title).unwrap_or_else(|| id.clone());
            last = (title, left);
        }
        let cart = self.cart(state)?;
        let total = money(cart.total, &cart.currency);
        let (title, left) = last;
        let mut draft = if left > 0 {
            self.say(state, Template::CartReduced, &[("title", &title), ("quantity", &left.to_string()), ("total", &total)])
        } else {
            self.say(state, Template::CartRemoved, &[("title", &title), ("total", &total)])
        };
        draft.cart = Some(cart);
        Ok(draft)
    }

    /// Sets the units of one cart line: the one referenced or named, else the focused product,
    /// else the only line.
    pub(super) fn set_quantity(&self, state: &mut SessionState, target: Target, words: &str, quantity: u32) -> Result<Draft, DialogueError> {
        if state.cart.is_empty() {
            return Ok(self.say(state, Template::CartEmpty, &[]));
        }
        let (in_cart, mut ids) = self.cart_lines(state, &target, words)?;
        if ids.is_empty() {
            ids.extend(state.focus.iter().filter(|id| state.cart_quantity(id) > 0).cloned());
        }
        if ids.is_empty() && state.cart.len() == 1 {
            ids.push(state.cart[0].product_id.clone());
        }
        let [id] = ids.as_slice() else {
            return Ok(self.say(state, Template::CartWhich, &[]));
        };
        let title = in_cart.iter().find(|p| &p.id == id).map(spoken_title).unwrap_or_else(|| id.clone());
        state.set_quantity(id, quantity);
        let cart = self.cart(state)?;
        let total = money(cart.total, &cart.currency);
        let units = state.cart_quantity(id).to_string();
        let mut draft = if quantity == 0 {
            self.say(state, Template::CartRemoved, &[("title", &title), ("total", &total)])
        } else {
            self.say(state, Template::CartSet, &[("title", &title), ("quantity", &units), ("total", &total)])
        };
        draft.cart = Some(cart);
        Ok(draft.with_quick_replies(&[("Check out", "checkout")]))
    }

    /// The cart's products, and the ids of those a request means: the products it references
    /// that are in the cart, else the cart products its words name ("the blender").
    fn cart_lines(&self, state: &SessionState, target: &Target, words: &str) -> Result<(Vec<Product>, Vec<String>), DialogueError> {
        let in_cart: Vec<Product> = self.products(&state.cart.iter().map(|l| l.product_id.clone()).collect::<Vec<_>>())?;
        let mut ids: Vec<String> = match target {
            Target::Ids(ids) => ids.clone(),
            Target::Best { .. } => self.one_product(state, target)?.into_iter().map(|p| p.id).collect(),
            Target::Unknown => Vec::new(),
        };
        ids.retain(|id| state.cart_quantity(id) > 0);
        if ids.is_empty() {
            ids.extend(super::resolve::by_words(&in_cart, words).map(|p| p.id.clone()));
        }
        Ok((in_cart, ids))
    }

    pub(super) fn view_cart(&self, state: &mut SessionState) -> Result<Draft, DialogueError> {
        if state.cart.is_empty() {
            return Ok(self.say(state, Template::CartEmpty, &[]));
        }
        let cart = self.cart(state)?;
        let count: u32 = cart.items.iter().map(|i| i.quantity).sum();
        let items = super::compose::counted(count as usize, "item");
        let mut draft = self.say(state, Template::CartView, &[("items", &items), ("total", &money(cart.total, &cart.currency))]);
        draft.spoken_items = cart.items.iter().map(|i| format!("{} times {}", i.quantity, i.title)).collect();
        draft.cart = Some(cart);
        Ok(draft.with_quick_replies(&[("Check out", "checkout")]))
    }

    pub(super) fn checkout(&self, state: &mut SessionState) -> Result<Draft, DialogueError> {
        if state.cart.is_empty() {
            return Ok(self.say(state, Template::CheckoutEmpty, &[]));
        }
        let cart = self.cart(state)?;
        let total = money(cart.total, &cart.currency);
        let mut draft = self.say(state, Template::Checkout, &[("total", &total), ("link", &self.shop.checkout_url)]);
        draft.cart = Some(cart);
        Ok(draft)
    }

    /// The cart as shown, priced now; lines whose product left the catalog are dropped.
    pub(super) fn cart(&self, state: &mut SessionState) -> Result<Cart, DialogueError> {
        let mut items = Vec::new();
        let mut kept = Vec::new();
        for line in &state.cart {
            if let Some(product) = self.product(&line.product_id)? {
                items.push(CartItem {
                    product_id: product.id.clone(),
                    title: product.title.clone(),
                    quantity: line.quantity,
                    price: product.effective_price().amount,
                });
                kept.push(line.clone());
            }
        }
        state.cart = kept;
        let total = (items.iter().map(|i| i.price * f64::from(i.quantity)).sum::<f64>() * 100.0).round() / 100.0;
        Ok(Cart { items, total, currency: self.shop.currency.clone() })
    }
}
