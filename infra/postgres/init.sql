-- One database per service (DESIGN §1); the services run their own migrations on start.
CREATE DATABASE eventix_catalog;
CREATE DATABASE eventix_booking;
CREATE DATABASE eventix_payment;
