
Ãroot.layer-0"_tf_keras_layer*Ÿ{"class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wQAAACXAHkAKQFO"}}}}